"""Tests of leakbench-report (run: /usr/bin/python3 -m unittest discover -s reports/tests -t reports)."""
