"""The README's deploy commands work as written, against the template `make package` writes.

The command lines are read from the README itself and checked flag by flag
against what the AWS CLI and CloudFormation require of this template.
"""

import json
import re
import shlex

from herald import environment, packaging

# Above this, CloudFormation takes a template only from S3 (the CLI refuses
# `deploy` without --s3-bucket).
INLINE_TEMPLATE_LIMIT = 51_200


def _section() -> str:
    text = (environment.ROOT / "README.md").read_text()
    return text.split("## Deploying to AWS", 1)[1].split("\n## ", 1)[0]


def _commands() -> dict[str, dict]:
    """`aws cloudformation X` -> its options, from the section's sh block."""
    (block,) = re.findall(r"```sh\n(.*?)```", _section(), re.S)
    found = {}
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line)
        if words[:2] != ["aws", "cloudformation"]:
            continue
        options, key = {}, None
        for word in words[3:]:
            if word.startswith("--"):
                key = word[2:]
                options[key] = []
            else:
                options[key].append(word)
        found[words[2]] = options
    return found


def _stage() -> str:
    (stage,) = set(re.findall(r"`make package STAGE=(\w+)`", _section()))
    return stage


def _packaged_size(template: dict) -> int:
    """What `aws cloudformation package` writes: CodeUri becomes an S3 URI."""
    template = json.loads(json.dumps(template))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://YOUR_BUCKET/0123456789abcdef0123456789abcdef"
    return len(json.dumps(template, indent=4))


def test_the_readme_packages_the_template_make_package_writes():
    stage = _stage()
    package = _commands()["package"]
    written = packaging.output_dir(stage) / "sam.json"
    assert package["template-file"] == [str(written.relative_to(environment.ROOT))]
    assert package["s3-bucket"]  # where the bundle goes
    assert package["output-template-file"]


def test_the_deploy_takes_the_packaged_template_through_s3(packaged):
    stage, _path, template = packaged
    commands = _commands()
    deploy = commands["deploy"]
    if stage == _stage():
        assert deploy["template-file"] == commands["package"]["output-template-file"]
        assert deploy["stack-name"] == [f"herald-{stage}"]  # what `herald --stage` looks for
    assert _packaged_size(template) > INLINE_TEMPLATE_LIMIT
    assert deploy.get("s3-bucket"), "deploy needs --s3-bucket for a template this size"


def test_the_deploy_acknowledges_what_the_template_does(packaged):
    _stage, _path, template = packaged
    capabilities = set(_commands()["deploy"]["capabilities"])
    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert roles and "CAPABILITY_IAM" in capabilities
    if any("RoleName" in r["Properties"] for r in roles):
        assert "CAPABILITY_NAMED_IAM" in capabilities
    if template.get("Transform"):
        assert "CAPABILITY_AUTO_EXPAND" in capabilities


def test_every_parameter_the_readme_sets_exists_in_the_template(packaged):
    _stage, _path, template = packaged
    overrides = _commands()["deploy"]["parameter-overrides"]
    names = [override.split("=", 1)[0] for override in overrides]
    assert names and set(names) <= set(template["Parameters"])
    mentioned = set(re.findall(r"`(\w+)(?:=[^`]*)?`", _section()))
    documented = ("AlarmTopicArn", "AlarmEmail", "LogRetentionDays", "PublicUrl")
    for parameter in (*documented, "PingConcurrency", "ShownPingUrls"):
        assert parameter in template["Parameters"] and parameter in mentioned
