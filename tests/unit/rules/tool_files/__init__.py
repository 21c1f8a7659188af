"""Tool files for the loader's tests: two versions of one tool and a misnamed file."""
