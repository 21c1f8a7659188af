"""`python -m bench.load`: set up the demo, serve it with gunicorn, drive it with locust, report.

.venv/bin/python -m bench.load run --users 50 --think 1-3 --time 60s --engine postgres
.venv/bin/python -m bench.load all --engine postgres      # the four scenarios
"""

from bench.load.runner import main

main()
