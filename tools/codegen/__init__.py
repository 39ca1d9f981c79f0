"""Code generation: openapi.json + spec/overlay.yaml -> generated_client/raia_agent_api (and api.md).

`generate.sh` runs each step through one entry point, `python -m tools.codegen STEP ...` (see
`__main__`). The steps, in order: `guard` reads the untrusted spec within bounds, `validate` checks it
is OpenAPI, `overlay` applies the corrections, `names` chooses every Python name (`naming/`) and writes
openapi-python-client's inputs, `openapi` runs that generator, `surface` writes the typed resources
(`surface/`), `stamp` records provenance, `prove` imports and type-checks the result (`proof/`), and
`api-md` writes api.md from it.
"""
