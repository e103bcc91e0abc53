"""The infrastructure every app builds on: addresses and client IPs, caches (the page cache,
the content version and surrogate keys), database routing, rate limits and the proof-of-work
check, uploads, translation links, text search and spreadsheets. It imports no app."""
