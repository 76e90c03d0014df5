package linear

//go:generate go tool graphc generate linear.graph.yaml
