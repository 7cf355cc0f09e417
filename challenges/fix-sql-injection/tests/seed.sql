INSERT INTO users (name, token) VALUES
    ('alice', 'tok-alice-7f3a'),
    ('bob', 'tok-bob-91c2'),
    ('o''brien', 'tok-obrien-44d1');

INSERT INTO notes (owner_id, title, body, private) VALUES
    (1, 'groceries', 'milk, eggs', false),
    (1, 'diary', 'alice was here', true),
    (2, 'bike ride', 'Sunday at nine', false),
    (2, 'bank pin', '4921', true),
    (3, 'O''Brien''s garden', 'tomatoes and beans', false),
    (3, 'letters', 'to Ireland', true);
