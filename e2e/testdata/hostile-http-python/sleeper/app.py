"""Never listens and never ends: the service is never ready."""
import time

while True:
    time.sleep(3600)
