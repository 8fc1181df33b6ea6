from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Replication"

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from sync import lookups, master  # noqa: F401  (master registers the master-data projectors)
        from sync.peers import register_workers

        register_workers()
        lookups.register()
