"""Order channels: self-order kiosks, QR table ordering, mobile-order and delivery platforms.

Its own app because its concepts belong to neither the register nor the
kitchen: integrators (outside parties with their own API keys, scoped to one
store), the channels they order through and whether each is accepting
orders right now, signed webhooks to the integrator on every status change,
the customer-facing kiosk and status-board pages, and Web Push to a
customer's phone. It only *uses* the store core: orders are placed through
``registers.services.order_place`` (idempotent on a UUID derived from the
integrator and its idempotency key) and the kitchen's own projections decide
the order's status; this app watches those changes and tells the outside
world.

"For them an order has succeeded only when the kitchen has it": the API says
``accepted`` (stored) and ``in_kitchen`` (a kitchen screen acknowledged a
ticket) distinctly, and refuses an order outright, with its reason, when no
screen or printer of a station it needs is reachable.
"""
