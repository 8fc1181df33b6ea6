from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Replication"

    def ready(self) -> None:
        # Imported here, not at the top: models are not loaded before ready().
        from sync import master  # noqa: F401  (registers the master-data projectors)
        from sync.peers import register_workers

        register_workers()
