"""SQLite storage: one connection per process, numbered migrations, one repository per aggregate."""
