# The grader's own sandbox programs: the http tester, the upstream fixture
# and the network namespace holder, all subcommands of the static grader binary.
FROM scratch
COPY grader /grader
USER 65534:65534
ENTRYPOINT ["/grader"]
