"""ELASTICSEARCH_URL names one node or a cluster's nodes (README, "The layout for a busy town")."""

from search.elastic import conf


def test_one_node_or_several_separated_by_commas():
    assert conf.node_urls("http://es:9200") == ["http://es:9200"]
    assert conf.node_urls("http://es1:9200, http://es2:9200,") == ["http://es1:9200", "http://es2:9200"]


def test_the_client_knows_every_node_of_the_cluster():
    client = conf._client("http://es1:9200,http://es2:9200,http://es3:9200", 5.0)  # no request is sent
    hosts = sorted(node.config.host for node in client.transport.node_pool.all())
    assert hosts == ["es1", "es2", "es3"]
