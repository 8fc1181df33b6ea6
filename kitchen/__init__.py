"""The kitchen: stations, tickets routed to them, the kitchen display feed and page."""
