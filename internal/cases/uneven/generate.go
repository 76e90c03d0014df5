package uneven

//go:generate go tool graphc generate uneven.graph.yaml
