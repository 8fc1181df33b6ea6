"""HQ's view of its stores and the alerts managers get on their phones.

Its own app because it spans the others: it reads registers' sales, sync's
contacts and kitchen's stations, and owns what none of them should: which
store nodes HQ last heard from, push subscriptions, and the alerts raised
(once each) and cleared.
"""
