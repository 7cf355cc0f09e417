# grader/postgres:local: the Postgres fixture. Debian bookworm's
# PostgreSQL 15 with a cluster initialised at build time, so a job's
# database is ready in a fraction of a second. The cluster is tuned for a
# throwaway grading database (no fsync, no synchronous commit, no full
# page writes) and holds two roles: grader, the superuser only the tester
# may use, and app, the learner's, which owns database app, the only one
# besides template1 (a smaller cluster is faster to copy). Neither role
# has a password until grader-postgres sets both from the box's
# environment at start, unpacking the cluster onto the box's /tmp (the
# root filesystem is read-only). The cluster is kept as one tar file:
# unpacking it takes a fraction of the time a copy of its 700 files
# through the image's overlay does. It listens on loopback only and has no
# Unix socket. pg_stat_statements counts the statements each role runs,
# so a test can bound the queries a request costs (expect.max_queries);
# the extension is created in template1 before app is copied from it.
FROM grader/base:local
ARG PACKAGES
RUN apt-get -o Acquire::Languages=none update \
 && DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-unsafe-io install -y --no-install-recommends $PACKAGES \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin \
 && mkdir -p /opt/grader/pgdata \
 && chown 65534:65534 /opt/grader /opt/grader/pgdata
# After the install, so a changed script does not fetch the packages
# again; the build context gives it mode 0755.
COPY grader-postgres.sh /usr/local/bin/grader-postgres
USER 65534:65534
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN initdb --pgdata=/opt/grader/pgdata --username=grader --auth=reject --encoding=UTF8 --no-locale --wal-segsize=1 --no-sync >/dev/null \
 && printf '%s\n' \
    "listen_addresses = '127.0.0.1'" \
    "unix_socket_directories = ''" \
    "fsync = off" \
    "synchronous_commit = off" \
    "full_page_writes = off" \
    "shared_buffers = 32MB" \
    "max_connections = 50" \
    "max_wal_size = 64MB" \
    "min_wal_size = 2MB" \
    "dynamic_shared_memory_type = mmap" \
    "logging_collector = off" \
    "log_min_messages = warning" \
    "password_encryption = scram-sha-256" \
    "shared_preload_libraries = 'pg_stat_statements'" \
    "pg_stat_statements.track = top" \
    "pg_stat_statements.track_utility = off" \
    >> /opt/grader/pgdata/postgresql.conf \
 && printf 'host all all 127.0.0.1/32 scram-sha-256\n' > /opt/grader/pgdata/pg_hba.conf \
 && printf '%s\n' \
    "CREATE EXTENSION pg_stat_statements" \
    "CREATE ROLE app LOGIN" \
    "CREATE DATABASE app OWNER app" \
    "DROP DATABASE postgres" \
    "UPDATE pg_database SET datistemplate = false WHERE datname = 'template0'" \
    "DROP DATABASE template0" \
    "REVOKE CONNECT ON DATABASE template1 FROM PUBLIC" \
    "CHECKPOINT" \
    | postgres --single -D /opt/grader/pgdata template1 >/dev/null \
 && tar -cf /opt/grader/pgdata.tar -C /opt/grader pgdata \
 && rm -rf /opt/grader/pgdata
ENTRYPOINT ["/usr/local/bin/grader-postgres"]
CMD ["5432"]
