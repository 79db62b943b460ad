/*
** The schema migrations embedded from db/NNN_name.sql at build time (the
** Makefile generates the table).  Migration N brings the schema from version
** N - 1 to N; the list ends with a {0, NULL, NULL} entry.
*/
#ifndef TPC_MIGRATIONS_H
#define TPC_MIGRATIONS_H

typedef struct tpc_migration {
  int version;
  const char *name;
  const char *sql;
} tpc_migration;

extern const tpc_migration tpc_migrations[];

#endif
