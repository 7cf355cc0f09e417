package images

import "context"

// redisPlan makes the Redis fixture image on the base.
func (b *builder) redisPlan(ctx context.Context) (recipe, error) {
	parent, err := b.imageID(ctx, Base)
	if err != nil {
		return recipe{}, err
	}
	text := dockerfile("redis")
	in := inputs{Image: Redis, Dockerfile: text, Parent: parent}
	return recipe{digest: in.digest(), make: func(ctx context.Context, digest string) error {
		return b.buildImage(ctx, Redis, buildContext{Dockerfile: text}, digest, buildOptions{})
	}}, nil
}
