"""Operating the knowledge graph: backups and restores, Prometheus metrics, health checks."""
