-- The table the service works on; the database has it before the
-- service starts (README.md shows it to learners).
CREATE TABLE todos (
    id         BIGSERIAL PRIMARY KEY,
    title      TEXT NOT NULL UNIQUE,
    done       BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
