-- Rows that exist before the service starts: a service that keeps its
-- data anywhere but this database does not know them.
INSERT INTO todos (title, done) VALUES
    ('water the plants', false),
    ('renew the passport', true);
