"""The spec-update autopilot: fetch the vendor's spec, regenerate, check, test, diff, and write the
pull request's body, the changelog section and the next version (`make update-spec URL=...`)."""
