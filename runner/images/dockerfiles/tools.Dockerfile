# grader/tools:local: the static grader binary alone. Its sandbox
# subcommands are the http tester, the upstream fixture and the network
# namespace holder.
FROM scratch
COPY grader /grader
USER 65534:65534
ENTRYPOINT ["/grader"]
