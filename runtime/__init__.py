"""Every concurrency and background mechanism of a node, in one place.

The bottom layer, next to Django: it imports no posweb app, and apps use it
instead of writing threads, executors or on-commit hooks of their own.

- ``workers``: background loops inside the daphne process, and
  ``run_in_background`` for one-off work after a request;
- ``batching``: group commit (threads and asyncio flavours);
- ``reads``: reads off the request threads, shared by callers of one doorbell;
- ``doorbells``: rings after commit, once per transaction, handed to the
  event loop without making the committing thread wait;
- ``housekeeping``: garbage-collector freeze and WAL checkpoints;
- ``notify``: delivering notifications to people (Web Push).
"""
