INSERT INTO items (name) VALUES ('seeded');
