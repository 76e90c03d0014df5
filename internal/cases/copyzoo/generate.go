package copyzoo

//go:generate go tool graphc generate copyzoo.graph.yaml
