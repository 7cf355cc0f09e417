# grader/redis:local: the Redis fixture. Debian's redis-server as the
# sandbox user, without a config file, listening on loopback (boxes of a
# job share one network namespace), saving nothing: it writes no file, so
# it runs on a read-only root filesystem.
FROM grader/base:local
USER 65534:65534
ENTRYPOINT ["redis-server"]
CMD ["--protected-mode", "no", "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", "6379"]
