# The Redis fixture: Debian's redis-server, as the sandbox user, saving nothing.
FROM grader/base:local
USER 65534:65534
ENTRYPOINT ["redis-server"]
CMD ["--protected-mode", "no", "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", "6379"]
