"""`make diff`: what a spec change does to the API and to the generated Python client."""
