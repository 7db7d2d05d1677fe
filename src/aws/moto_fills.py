"""A FAKE of what moto lacks for the kinds this server serves, on top of moto's own backends.

moto's ElastiCache makes a cache cluster available at once, never finishes deleting one (it stays
"deleting" for ever), reports neither endpoints nor port, security groups, parameter group, AZ or
windows, and has no ModifyCacheCluster. Its CloudFormation has no UpdateTerminationProtection and
deletes protected stacks. So that ElastiCache clusters and stacks can be used and tested locally,
install() adds, in the spirit of the real services and nothing more:

- ElastiCache: a cluster is "creating" for TRANSITION seconds, then "available"; "modifying" for as
  long after ModifyCacheCluster (which applies at once); "deleting" for as long, then gone. Describe
  reports what CreateCacheCluster was given (AWS's defaults where it was not), cache nodes with
  endpoints (memcached: also the configuration endpoint). ModifyCacheCluster refuses a cluster that
  is not available, as AWS does.
- CloudFormation: UpdateTerminationProtection, and DeleteStack refusing a protected stack.

Everything else is moto's. Tests that rely on this say so; `npm start` without AWS uses it too.
TRANSITION comes from $MOTO_FILLS_TRANSITION_SECONDS (default 2); a cluster tagged
moto-fills/transition-seconds takes that long instead (a test holding a cluster in a state).
"""

import os
import time

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.elasticache.exceptions import ElastiCacheException, InvalidParameterCombinationException, InvalidParameterValueException
from moto.elasticache.models import CacheCluster, ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

TRANSITION = float(os.environ.get("MOTO_FILLS_TRANSITION_SECONDS", "2"))
DEFAULT_PORT = {"redis": 6379, "memcached": 11211}
DEFAULT_VERSION = {"redis": "7.1.0", "memcached": "1.6.22"}


class InvalidCacheClusterState(ElastiCacheException):
    code = "InvalidCacheClusterState"

    def __init__(self, cluster_id, status):
        super().__init__(f"Cache cluster {cluster_id} is not in available state (it is {status}).")


# moto finds an error's service model from the module the exception class lives in.
InvalidCacheClusterState.__module__ = ElastiCacheException.__module__


def _region(cluster):
    return cluster.arn.split(":")[3]


def _host(cluster, suffix):
    return f"{cluster.cache_cluster_id}.fake01.{suffix}.{_region(cluster)}.cache.amazonaws.com"


def _delay(cluster):
    return getattr(cluster, "_fill_delay", TRANSITION)


def _status(cluster):
    """The status as time passes: transitions end the cluster's delay after they began."""
    since = getattr(cluster, "_fill_since", 0)
    wanted = getattr(cluster, "_fill_status", "available")
    if wanted in ("creating", "modifying") and time.time() - since >= _delay(cluster):
        cluster._fill_status = "available"
    return cluster._fill_status


def _cache_nodes(cluster):
    zones = cluster.preferred_availability_zones or [cluster.preferred_availability_zone or f"{_region(cluster)}a"]
    return [
        {
            "CacheNodeId": f"{index + 1:04d}",
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": cluster.cache_cluster_create_time,
            "Endpoint": {"Address": _host(cluster, f"{index + 1:04d}"), "Port": cluster.port},
            "ParameterGroupStatus": "in-sync",
            "CustomerAvailabilityZone": zones[index % len(zones)],
        }
        for index in range(cluster.num_cache_nodes)
    ]


def _fill_cluster_class():
    original_init = CacheCluster.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        engine = self.engine
        if not kwargs.get("port"):
            self.port = DEFAULT_PORT.get(engine, 6379)
        self.port = int(self.port)
        self.engine_version = self.engine_version or DEFAULT_VERSION.get(engine)
        major_minor = ".".join(self.engine_version.split(".")[:2]) if engine == "memcached" else self.engine_version.split(".")[0]
        self.cache_parameter_group_name = self.cache_parameter_group_name or f"default.{engine}{major_minor}"
        self.cache_subnet_group_name = self.cache_subnet_group_name or "default"
        self.preferred_maintenance_window = self.preferred_maintenance_window or "sun:05:00-sun:06:00"
        if engine == "redis":
            self.snapshot_window = self.snapshot_window or "06:30-07:30"
        if self.auto_minor_version_upgrade is None:
            self.auto_minor_version_upgrade = True
        self._fill_status = "creating"
        self._fill_since = time.time()
        held = [tag["Value"] for tag in (kwargs.get("tags") or []) if tag.get("Key") == "moto-fills/transition-seconds"]
        self._fill_delay = float(held[0]) if held else TRANSITION

    CacheCluster.__init__ = init
    CacheCluster.cache_cluster_status = property(_status, lambda self, value: setattr(self, "_fill_status", value))
    CacheCluster.status = property(_status, lambda self, value: setattr(self, "_fill_status", value))
    CacheCluster.cache_nodes = property(_cache_nodes)
    CacheCluster.configuration_endpoint = property(
        lambda self: {"Address": _host(self, "cfg"), "Port": self.port} if self.engine == "memcached" else None
    )
    CacheCluster.security_groups = property(lambda self: [{"SecurityGroupId": group, "Status": "active"} for group in self.security_group_ids])
    CacheCluster.cache_parameter_group = property(
        lambda self: {"CacheParameterGroupName": self.cache_parameter_group_name, "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}
    )
    CacheCluster.notification_configuration = property(
        lambda self: {"TopicArn": self.notification_topic_arn, "TopicStatus": "active"} if self.notification_topic_arn else None
    )
    CacheCluster.pending_modified_values = property(lambda self: {})
    CacheCluster.reported_availability_zone = property(
        lambda self: "Multiple" if self.az_mode == "cross-az" else (self.preferred_availability_zone or f"{_region(self)}a")
    )
    # The shape's PreferredAvailabilityZone is what the cluster is in, not what was asked for.
    CacheCluster.Meta = type("Meta", (), {"serialization_aliases": {"PreferredAvailabilityZone": "reported_availability_zone"}})


def _fill_backend():
    original_describe = ElastiCacheBackend.describe_cache_clusters

    def describe(self, cache_cluster_id=None):
        # Deletions finish TRANSITION seconds after they began.
        for cluster_id, cluster in list(self.cache_clusters.items()):
            if cluster._fill_status == "deleting" and time.time() - cluster._fill_since >= _delay(cluster):
                self.tagging_service.delete_all_tags_for_resource(cluster.arn)
                del self.cache_clusters[cluster_id]
        return original_describe(self, cache_cluster_id)

    def delete(self, cache_cluster_id):
        cluster = describe(self, cache_cluster_id)[0]
        if _status(cluster) not in ("available", "deleting"):
            raise InvalidCacheClusterState(cache_cluster_id, cluster._fill_status)
        if cluster._fill_status != "deleting":
            cluster._fill_status, cluster._fill_since = "deleting", time.time()
        return cluster

    def modify(self, cache_cluster_id, changes):
        cluster = describe(self, cache_cluster_id)[0]
        if _status(cluster) != "available":
            raise InvalidCacheClusterState(cache_cluster_id, cluster._fill_status)
        for attribute, value in changes.items():
            if value is not None:
                setattr(cluster, attribute, value)
        cluster._fill_status, cluster._fill_since = "modifying", time.time()
        return cluster

    ElastiCacheBackend.describe_cache_clusters = describe
    ElastiCacheBackend.delete_cache_cluster = delete
    ElastiCacheBackend.fill_modify_cache_cluster = modify
    # The tagging API lists what the backend holds: finish due deletions before it looks.
    original_list_tags = ElastiCacheBackend.list_tags_for_resource

    def list_tags(self, arn):
        describe(self)
        return original_list_tags(self, arn)

    ElastiCacheBackend.list_tags_for_resource = list_tags


def _modify_response(self):
    removed = self._get_param("CacheNodeIdsToRemove", []) or []
    number = self._get_int_param("NumCacheNodes")
    changes = {
        "num_cache_nodes": number,
        "cache_node_type": self._get_param("CacheNodeType"),
        "engine_version": self._get_param("EngineVersion"),
        "cache_parameter_group_name": self._get_param("CacheParameterGroupName"),
        "security_group_ids": self._get_param("SecurityGroupIds"),
        "notification_topic_arn": self._get_param("NotificationTopicArn"),
        "preferred_maintenance_window": self._get_param("PreferredMaintenanceWindow"),
        "snapshot_window": self._get_param("SnapshotWindow"),
        "snapshot_retention_limit": self._get_int_param("SnapshotRetentionLimit"),
        "auto_minor_version_upgrade": self._get_bool_param("AutoMinorVersionUpgrade"),
    }
    backend = self.elasticache_backend
    cluster = backend.describe_cache_clusters(self._get_param("CacheClusterId"))[0]
    if number is not None and number < cluster.num_cache_nodes and len(removed) != cluster.num_cache_nodes - number:
        raise InvalidParameterValueException("CacheNodeIdsToRemove must name as many nodes as NumCacheNodes removes.")
    if number is not None and cluster.engine == "redis" and number != 1:
        raise InvalidParameterCombinationException("Cannot change the number of nodes of a Redis cache cluster.")
    return ActionResult({"CacheCluster": backend.fill_modify_cache_cluster(self._get_param("CacheClusterId"), changes)})


def _fill_cloudformation():
    original_delete = CloudFormationBackend.delete_stack

    def delete(self, name_or_stack_id):
        for stack in list(self.stacks.values()):
            if name_or_stack_id in (stack.name, stack.stack_id) and stack.enable_termination_protection:
                raise ValidationError(name_or_stack_id, message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled")
        return original_delete(self, name_or_stack_id)

    def update_termination_protection(self):
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection")
        return ActionResult({"StackId": stack.stack_id})

    CloudFormationBackend.delete_stack = delete
    CloudFormationResponse.update_termination_protection = update_termination_protection


def install():
    _fill_cluster_class()
    _fill_backend()
    ElastiCacheResponse.modify_cache_cluster = _modify_response
    _fill_cloudformation()
