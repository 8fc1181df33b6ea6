"""The replication engine: the change log every recorded fact lives in, clocks, peers and the HQ link."""
