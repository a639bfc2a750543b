from rest_framework import serializers

from dblood.core.serializers import StrictModelSerializer, StrictSerializer

from .models import Membership, User


class MembershipSerializer(serializers.ModelSerializer):
    site_id = serializers.IntegerField(source="site.id", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    site_kind = serializers.CharField(source="site.kind", read_only=True)

    class Meta:
        model = Membership
        fields = ["site_id", "site_name", "site_kind"]


class UserSerializer(StrictModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "language", "memberships", "date_joined"]
        read_only_fields = ["id", "email", "role", "memberships", "date_joined"]


class RegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150)
    language = serializers.ChoiceField(choices=User.Language.choices, default=User.Language.ID)


class SignupConfirmSerializer(StrictSerializer):
    token = serializers.CharField(max_length=256, help_text="From the link the sign-up e-mail holds.")


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`. Shown once.")
    expires_at = serializers.DateTimeField()
    user = UserSerializer()


class PasswordChangeSerializer(StrictSerializer):
    old_password = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128)


class PasswordResetSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128)
