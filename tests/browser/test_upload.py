"""Upload users in Chromium: a 50-row file, the preview, Import, and the people in the Users
list with an activation email for each invited row."""

import csv
import io

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, assert_accessible, signed_in_page

pytestmark = pytest.mark.browser
HEADER = [
    "Title",
    "First name",
    "Surname",
    "Email",
    "Mobile number",
    "Employer groups",
    "Interfaces",
    "Invite",
]


def fifty_rows(tmp_path):
    path = tmp_path / "employers.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for number in range(1, 51):
        writer.writerow(
            [
                "Ms",
                f"Upla{number}",
                "Oader",
                f"upla{number}@upload.example",
                "07400 123456",
                "" if number % 2 else "All employers › London",
                "Classic",
                "No" if number > 40 else "",
            ]
        )
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_upload_fifty_employers_preview_import_and_find_them(browser, demo_site, tmp_path):
    page = signed_in_page(browser, demo_site, "admin")
    page.get_by_role("link", name="Bulk upload").click()
    expect(page.get_by_role("heading", name="Upload users", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("CSV file").set_input_files(fifty_rows(tmp_path))
    group = page.get_by_role("combobox", name="Employer group for rows without one")
    group.fill("North West")
    page.get_by_role("option", name="All employers › North West", exact=True).click()
    expect(page.get_by_label("Send invitations")).to_be_checked()
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="employers.csv")).to_be_visible()
    expect(page.get_by_text("40 to be invited by email")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "upload-preview.png", full_page=True)
    page.get_by_role("button", name="Import 50 rows").click()
    expect(page.get_by_role("status").first).to_contain_text("50 created")
    assert_accessible(page)
    assert len(mail.outbox) == 40

    page.get_by_role("link", name="Upload users", exact=True).click()
    history = page.get_by_role("region", name="Uploads")
    expect(history.get_by_role("link", name="employers.csv")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{demo_site}/users/?q=upload.example&per_page=100")
    expect(page.locator("#results tbody tr")).to_have_count(50)
    page.context.close()


def test_a_file_with_a_problem_shows_its_row_and_offers_no_import(browser, demo_site, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        ",".join(HEADER) + "\nMs,Bea,Bad,not-an-email,07400 123456,,Classic,\n", encoding="utf-8"
    )
    page = signed_in_page(browser, demo_site, "admin")
    page.goto(f"{demo_site}/users/upload/")
    page.get_by_label("CSV file").set_input_files(path)
    page.get_by_role("button", name="Check the file").click()
    problems = page.get_by_role("table")
    expect(problems).to_contain_text("Enter an email address in the correct format")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert_accessible(page)
    page.context.close()


def test_the_import_progress_page_is_accessible(browser, demo_site, tmp_path):
    from accounts.models import User
    from uploads.models import Upload, UploadStatus

    admin = User.objects.get(username="admin")
    upload = Upload.objects.create(
        tenant=admin.tenant,
        uploaded_by=admin,
        kind="employers",
        file_name="big.csv",
        content="Title\n",
        status=UploadStatus.IMPORTING,
        rows=20_000,
        to_create=20_000,
    )
    page = signed_in_page(browser, demo_site, "admin")
    page.goto(f"{demo_site}/users/upload/{upload.pk}/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Rows checked: 0 of 20,000")
    assert_accessible(page)
    # The import finishes (another process): the page notices without a reload by hand.
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.IMPORTED, created=20_000)
    expect(page.get_by_role("status").first).to_contain_text("20,000 created", timeout=5_000)
    assert_accessible(page)
    page.context.close()
