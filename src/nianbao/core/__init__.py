"""The shared vocabulary (共用词汇) of every stage: findings and where they point, observations,
org units and claims, disaggregations, the formula parser, number formatting and the error
catalogue. This package imports nothing else of nianbao; every other package may import it.
"""
