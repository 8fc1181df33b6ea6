"""Outgoing notifications to people (managers' phones, HQ admins).

One base class (``base.Transport``) and one module per way of delivering
(``webpush``), as healthchecks' transports: a feature builds a
``Notification`` and hands it to a transport; the transport knows nothing
about stores or alerts.
"""
