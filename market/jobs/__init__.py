"""Background work: the outbox drainer and scheduled ticks."""
