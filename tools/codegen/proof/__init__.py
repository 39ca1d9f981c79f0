"""The proof of a freshly generated package, before it replaces generated_client/: `prover` parses,
compiles and type-checks it; `probe` imports it and builds the clients over it."""
