"""The console's pages, one module each; `routes()` lists a module's pages and actions."""
