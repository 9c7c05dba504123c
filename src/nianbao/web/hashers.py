"""The portal's password hasher: Argon2id with the parameters the OWASP Password Storage Cheat
Sheet gives as its minimum configuration (19 MiB of memory, 2 iterations, 1 degree of
parallelism).

Argon2id is memory-hard: each guess needs its 19 MiB, so an attacker's GPUs or ASICs gain far
less over a server than against PBKDF2, whose cost is only CPU. On a server core it takes about
20 ms of CPU per sign-in, where Django's PBKDF2 at 1,000,000 iterations takes about 190 ms (and
Django's own Argon2 defaults, 100 MiB over 8 lanes, about 170 ms) — which matters when hundreds
of schools sign in on the same morning. One lane: a sign-in occupies one core, so concurrent
sign-ins do not compete for threads.

The algorithm's name stays ``argon2`` (Django's format, ``argon2$argon2id$v=19$m=…,t=…,p=…``):
hashes made with other parameters still verify and are re-hashed with these at the next
sign-in, as are PBKDF2 hashes (Django upgrades a hash made by any hasher listed after the first).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
