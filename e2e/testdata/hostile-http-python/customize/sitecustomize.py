import os
print("LEARNER-HOOK-RAN", flush=True)
os._exit(3)
