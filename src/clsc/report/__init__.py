"""Reports: tables (CSV + Markdown), figures (PNG, one house style), a static index page, and
the declared studies that ``clsc reproduce`` runs."""
