package nested

//go:generate go tool graphc generate nested.graph.yaml
