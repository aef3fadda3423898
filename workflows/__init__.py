"""The verbs of the domain. Each takes an explicit actor, guards, mutates,
records its audit event and flushes; the caller commits once at the edge."""
