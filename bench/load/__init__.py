"""Load tests: the demo served by gunicorn, driven by locust over loopback (README.md)."""
