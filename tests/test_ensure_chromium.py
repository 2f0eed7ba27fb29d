"""`make test` on a machine without Chromium: installed when it can be, otherwise a stop
before the suite naming the one command to run."""

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "ensure-chromium"


def run(tmp_path, **env):
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )


def test_a_present_chromium_is_left_alone(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result = run(tmp_path, PLAYWRIGHT_CHROMIUM_PATH=str(chromium), APT_GET="/no/apt-get")
    assert result.returncode == 0 and result.stdout == result.stderr == ""


def test_a_missing_chromium_that_cannot_be_installed_stops_with_the_command(tmp_path):
    result = run(
        tmp_path, PLAYWRIGHT_CHROMIUM_PATH=str(tmp_path / "none"), APT_GET="/no/apt-get"
    )
    assert result.returncode == 1
    assert "sudo apt-get install chromium" in result.stderr


def test_a_missing_chromium_is_installed_with_apt_get_when_it_can_be(tmp_path):
    """apt-get stands in as a script that 'installs' Chromium where the test says."""
    chromium = tmp_path / "chromium"
    apt_get = tmp_path / "apt-get"
    apt_get.write_text(
        f'#!/bin/sh\necho "$@" >> {tmp_path}/asked\n'
        f'[ "$1" = install ] && printf "#!/bin/sh\\n" > {chromium} && chmod +x {chromium}\n'
        "exit 0\n"
    )
    apt_get.chmod(0o755)
    result = run(tmp_path, PLAYWRIGHT_CHROMIUM_PATH=str(chromium), APT_GET=str(apt_get))
    if os.geteuid() != 0:
        assert result.returncode == 1  # only root installs packages
        return
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "asked").read_text().splitlines() == [
        "update -qq",
        "install -y -qq chromium",
    ]
    assert chromium.exists()
