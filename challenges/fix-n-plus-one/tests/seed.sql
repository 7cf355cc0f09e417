-- 41 authors: 1 to 40 write 10 posts each, 41 (Quinn Quiet) none.
INSERT INTO authors (name)
SELECT 'Author ' || lpad(i::text, 2, '0') FROM generate_series(1, 40) AS i;
INSERT INTO authors (name) VALUES ('Quinn Quiet');

-- Tag ids are not in name order.
INSERT INTO tags (name) VALUES
    ('testing'), ('go'), ('security'), ('python'),
    ('caching'), ('javascript'), ('http'), ('databases');

-- 400 posts, two per hour in a shuffled order: ties need the
-- feed's tie-break (id, newest first), and id order is not time order.
INSERT INTO posts (author_id, title, published_at)
SELECT 1 + (i * 7) % 40, 'Post ' || i, timestamptz '2026-01-01 00:00:00+00' + (((i * 37) % 400) / 2) * interval '1 hour'
FROM generate_series(1, 400) AS i;

-- Every post whose id is not a multiple of 10 has one or two tags.
INSERT INTO post_tags (post_id, tag_id)
SELECT DISTINCT p.id, t.tag
FROM posts AS p, LATERAL (VALUES (1 + p.id % 8), (1 + (p.id * 3) % 8)) AS t (tag)
WHERE p.id % 10 <> 0;

-- 700 comments on each post whose id is not a multiple of 9, none on the
-- others: 280,000 rows less the skipped ones, 249,200.
INSERT INTO comments (post_id, body)
SELECT 1 + (j * 13) % 400, 'comment ' || j
FROM generate_series(1, 280000) AS j
WHERE (1 + (j * 13) % 400) % 9 <> 0;
ANALYZE authors, posts, tags, post_tags, comments;
