"""The template sends SES's events to the mail-events queue (linted: tests/herald)."""

from herald import packaging


def test_the_template_has_the_configuration_set_topic_and_queue():
    resources = packaging.merge_template("dev")["Resources"]
    config_set = resources["MailConfigurationSet"]["Properties"]
    assert config_set["SuppressionOptions"]["SuppressedReasons"] == ["BOUNCE", "COMPLAINT"]
    destination = resources["MailEventsDestination"]["Properties"]["EventDestination"]
    assert set(destination["MatchingEventTypes"]) == {"bounce", "complaint", "delivery", "reject"}
    assert destination["SnsDestination"] == {"TopicARN": {"Ref": "MailEventsTopic"}}
    subscription = resources["MailEventsSubscription"]["Properties"]
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["MailEventsQueue", "Arn"]}
    assert subscription["RawMessageDelivery"] is False  # the envelope's MessageId is the claim
    redrive = resources["MailEventsQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["MailEventsDeadLetterQueue", "Arn"]}
    [allowed] = resources["MailEventsQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allowed["Principal"] == {"Service": "sns.amazonaws.com"}
    assert "MailEventsDeadLetterAlarm" in resources


def test_the_local_stack_has_the_set_and_the_subscription(aws):
    import boto3

    names = [s["Name"] for s in boto3.client("ses").list_configuration_sets()["ConfigurationSets"]]
    assert aws["MailConfigurationSet"] in names
    subscriptions = boto3.client("sns").list_subscriptions_by_topic(TopicArn=aws["MailEventsTopic"])
    [queue] = [s["Endpoint"] for s in subscriptions["Subscriptions"]]
    assert queue.endswith(":" + aws["MailEventsQueue"])
