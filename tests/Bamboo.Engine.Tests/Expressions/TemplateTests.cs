using System.Text.Json.Nodes;
using Bamboo.Engine.Expressions;

namespace Bamboo.Engine.Tests.Expressions;

public sealed class TemplateTests
{
    private static readonly Dictionary<string, JsonNode?> Context = new()
    {
        ["a"] = 1, ["b"] = "x", ["l"] = new JsonArray(1, 2, 3), ["d"] = new JsonObject { ["k"] = "v" },
        ["s"] = "a,b,c", ["n"] = null, ["t"] = true, ["f"] = 1.5,
    };

    [Theory]
    [InlineData("x${a}", "x1")]
    [InlineData("${a}${b}", "1x")]
    [InlineData("${missing}", "${missing}")]
    [InlineData("pre ${missing} ${a}", "pre ${missing} 1")]
    [InlineData("${a + 1}", "2")]
    [InlineData("${b.upper()}", "X")]
    [InlineData("${l[0]}", "1")]
    [InlineData("${d['k']}", "v")]
    [InlineData("${d.get('k')}", "v")]
    [InlineData("${s.split(',')}", "['a', 'b', 'c']")]
    [InlineData("${s.split(',')[1]}", "b")]
    [InlineData("${int('3') + a}", "4")]
    [InlineData("${'%s-%s' % (a, b)}", "1-x")]
    [InlineData("${'{}'.format(a)}", "${'{}'.format(a)}")]
    [InlineData("${len(l)}", "3")]
    [InlineData("${max(l)}", "3")]
    [InlineData("${sorted(l, reverse=True)}", "[3, 2, 1]")]
    [InlineData("${a if a > 0 else 2}", "1")]
    [InlineData("${[i*2 for i in l]}", "[2, 4, 6]")]
    [InlineData("${a/2}", "0.5")]
    [InlineData("${a//2}", "0")]
    [InlineData("${a == 1}", "True")]
    [InlineData("${True}", "True")]
    [InlineData("${None}", "None")]
    [InlineData("${l[0:2]}", "[1, 2]")]
    [InlineData("${'abc'[::-1]}", "cba")]
    [InlineData("${b * 3}", "xxx")]
    [InlineData("${range(3)}", "range(0, 3)")]
    [InlineData("${list(range(3))}", "[0, 1, 2]")]
    [InlineData("${dict(a=1)}", "{'a': 1}")]
    [InlineData("${d.k}", "${d.k}")]
    [InlineData("${ a }", "${ a }")]
    [InlineData("${__import__('os')}", "${__import__('os')}")]
    [InlineData("${os.getcwd()}", "${os.getcwd()}")]
    [InlineData("${type(a)}", "${type(a)}")]
    [InlineData("${eval('1')}", "${eval('1')}")]
    [InlineData("${b.__class__}", "${b.__class__}")]
    [InlineData("${_x}", "${_x}")]
    [InlineData("$${a}", "$1")]
    [InlineData("{${a}}", "{1}")]
    [InlineData("${a}}", "1}")]
    [InlineData("${f * 2}", "3.0")]
    [InlineData("${1e-5 + 0}", "1e-05")]
    public void RenderString_DataMdTable_MatchesPython(string template, string expected)
    {
        var result = Template.RenderString(template, Context);

        Assert.Equal(expected, result!.GetValue<string>());
    }

    [Fact]
    public void RenderString_SingleName_ReturnsTypedValue()
    {
        Assert.Equal(1, Template.RenderString("${a}", Context)!.GetValue<int>());
        Assert.IsType<JsonArray>(Template.RenderString("${l}", Context));
        Assert.Null(Template.RenderString("${n}", Context));
    }

    [Theory]
    [InlineData("${'a' * 10**10}")]
    [InlineData("${[x for x in range(10**9)]}")]
    [InlineData("${2**10**10}")]
    public void RenderString_HostileExpression_IsRefusedQuickly(string template)
    {
        var result = Template.RenderString(template, Context);

        Assert.Equal(template, result!.GetValue<string>());
    }

    [Fact]
    public void RenderString_DeeplyNested_IsRefusedWithoutStackOverflow()
    {
        var template = "${" + new string('(', 5000) + "1" + new string(')', 5000) + "}";

        var result = Template.RenderString(template, Context);

        Assert.Equal(template, result!.GetValue<string>());
    }

    [Theory]
    [InlineData("${a + b}", new[] { "${a}", "${b}" })]
    [InlineData("${l.split(\",\")[a_i]}", new[] { "${l}", "${a_i}" })]
    [InlineData("${[x for x in l]}", new[] { "${l}" })]
    [InlineData("${int(a)}", new[] { "${int}", "${a}" })]
    [InlineData("${True}", new string[0])]
    public void References_Template_ListsFreeNames(string template, string[] expected)
    {
        Assert.Equal(expected.Order(), Template.References(template).Order());
    }
}
