package loop

//go:generate go tool graphc generate loop.graph.yaml
