"""What the test suite needs to run where nothing is set up: a throwaway PostgreSQL."""
