"""pytest settings for the whole repository."""

# The deprecation shims warn on import by design (tests/test_moved_names.py checks them);
# collecting their doctests would import them and trip the warnings-as-errors filter.
collect_ignore = ["src/course_utils/checks.py", "src/course_utils/lr_range.py"]
