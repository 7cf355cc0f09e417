#!/bin/sh
# grader-postgres PORT: start the Postgres fixture. The baked cluster is
# unpacked onto /tmp (a tmpfs), the roles get this job's passwords in
# single-user mode, then the server starts listening on 127.0.0.1:PORT.
# GRADER_FIXTURE_SECRET is the password of grader (the tester's
# superuser), GRADER_APP_PASSWORD the password of app (the learner's).
set -eu
port=${1:-5432}
secret=${GRADER_FIXTURE_SECRET:-}
app=${GRADER_APP_PASSWORD:-}
for v in "$secret" "$app"; do
	case $v in
	'' | *[!0-9A-Za-z]*)
		echo "grader-postgres: GRADER_FIXTURE_SECRET and GRADER_APP_PASSWORD must be set, letters and digits only" >&2
		exit 2
		;;
	esac
done
unset GRADER_FIXTURE_SECRET GRADER_APP_PASSWORD
data=/tmp/pgdata
tar -xf /opt/grader/pgdata.tar -C /tmp
chmod 700 "$data"
out=$(printf "ALTER ROLE grader PASSWORD '%s'\nALTER ROLE app PASSWORD '%s'\n" "$secret" "$app" |
	postgres --single -D "$data" template1 2>&1) || {
	echo "grader-postgres: setting the passwords failed: $out" >&2
	exit 1
}
case $out in *ERROR*)
	echo "grader-postgres: setting the passwords failed: $out" >&2
	exit 1
	;;
esac
exec postgres -D "$data" -p "$port"
