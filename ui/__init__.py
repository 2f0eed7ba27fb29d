"""Form and page helpers every app shares. This package imports no app of the project."""
